/**
 * The conformance graphs, TypeScript twin of ../python/langgraph_conformance_graphs/__init__.py:
 * the same graph ids, state keys, node names and outputs. Deterministic: no LLM, no network.
 *
 * Node names differ from state keys: the JS runtime refuses a node named like a state key
 * ("echo is already being used as a state attribute").
 *
 * Deploy with langgraph.json lines such as
 *   "conformance_echo": "./graphs.ts:conformance_echo"
 */
import { AIMessage } from "@langchain/core/messages";
import {
  Annotation,
  END,
  interrupt,
  MessagesAnnotation,
  START,
  StateGraph,
  type LangGraphRunnableConfig,
} from "@langchain/langgraph";

export const GRAPH_IDS = [
  "conformance_echo",
  "conformance_interrupt",
  "conformance_fail",
  "conformance_slow",
  "conformance_stream",
] as const;
export const FAILURE_MESSAGE = "deliberate failure from the conformance graph";
const SLOW_DEFAULT_DELAY = 30;
const SLOW_MAX_DELAY = 120;

const append = (left: string[], right: string[] | string): string[] =>
  (left ?? []).concat(Array.isArray(right) ? right : [right]);

// --- conformance_echo: {"text": "alpha"} -> {"text": "alpha", "echo": "alpha", "history": ["alpha"]}

const EchoState = Annotation.Root({
  text: Annotation<string>(),
  echo: Annotation<string>(),
  history: Annotation<string[], string[] | string>({ reducer: append }),
});

const copyText = (state: { text?: string }) => {
  const text = state.text ?? "";
  return { echo: text, history: [text] };
};

export const conformance_echo = new StateGraph(EchoState)
  .addNode("copy_text", copyText)
  .addEdge(START, "copy_text")
  .addEdge("copy_text", END)
  .compile();

// --- conformance_interrupt: copy_text, then ask_human pauses; Command({resume: X}) -> approved == X

const InterruptState = Annotation.Root({
  ...EchoState.spec,
  approved: Annotation<unknown>(),
});

const askHuman = (state: typeof InterruptState.State) => ({
  approved: interrupt({ question: "approve?", text: state.text ?? "" }),
});

export const conformance_interrupt = new StateGraph(InterruptState)
  .addNode("copy_text", copyText)
  .addNode("ask_human", askHuman)
  .addEdge(START, "copy_text")
  .addEdge("copy_text", "ask_human")
  .addEdge("ask_human", END)
  .compile();

// --- conformance_fail: every run ends in error

const FailState = Annotation.Root({ text: Annotation<string>() });

const raiseError = (_state: typeof FailState.State): Partial<typeof FailState.State> => {
  throw new Error(FAILURE_MESSAGE);
};

export const conformance_fail = new StateGraph(FailState)
  .addNode("raise_error", raiseError)
  .addEdge(START, "raise_error")
  .addEdge("raise_error", END)
  .compile();

// --- conformance_slow: sleeps "delay" seconds (default 30, at most 120), then echoes

const SlowState = Annotation.Root({
  text: Annotation<string>(),
  echo: Annotation<string>(),
  delay: Annotation<number>(),
});

const waitAWhile = async (state: typeof SlowState.State) => {
  let delay = Number(state.delay ?? SLOW_DEFAULT_DELAY);
  if (!Number.isFinite(delay)) delay = SLOW_DEFAULT_DELAY;
  // Long enough to be joined, listed and cancelled; bounded so a forgotten run still ends.
  delay = Math.min(Math.max(delay, 0), SLOW_MAX_DELAY);
  await new Promise((resolve) => setTimeout(resolve, delay * 1000));
  return { echo: state.text ?? "" };
};

export const conformance_slow = new StateGraph(SlowState)
  .addNode("wait_a_while", waitAWhile)
  .addEdge(START, "wait_a_while")
  .addEdge("wait_a_while", END)
  .compile();

// --- conformance_stream: a custom event, an AI message and a subgraph, for stream modes

const StreamState = Annotation.Root({
  text: Annotation<string>(),
  echo: Annotation<string>(),
  messages: MessagesAnnotation.spec.messages,
});

const speak = (state: typeof StreamState.State, config: LangGraphRunnableConfig) => {
  const text = state.text ?? "";
  config.writer?.({ progress: "speaking", text });
  return { echo: text, messages: [new AIMessage({ content: `echo: ${text}`, id: "conformance-speak" })] };
};

const innerStep = (state: typeof StreamState.State) => ({ echo: `${state.text ?? ""} (inner)` });

// A compiled subgraph as a node: with stream_subgraphs its events come namespaced ("values|inner:<id>").
const inner = new StateGraph(StreamState)
  .addNode("inner_step", innerStep)
  .addEdge(START, "inner_step")
  .addEdge("inner_step", END)
  .compile();

export const conformance_stream = new StateGraph(StreamState)
  .addNode("speak", speak)
  .addNode("inner", inner)
  .addEdge(START, "speak")
  .addEdge("speak", "inner")
  .addEdge("inner", END)
  .compile();
