"""The spec-errata overlay: documented corrections to a published spec, applied before it is used.

Where the official server behaves sensibly and its published spec says otherwise, the contract
suite tests against the corrected spec; `--strict-spec` applies nothing, so the run lists the
spec's own defects. Each erratum names the spec (title and versions) it corrects, the operations it
touches, the evidence (an observed request and response) and the exact patches it makes: JSON
pointers into the spec, so an erratum can never widen anything it does not name. A patch whose
`expect` no longer matches the spec (the spec changed) makes its erratum not apply, and says so.

Pure logic: TOML text and a spec document in, a corrected copy and a record out.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ERRATA_DIR = Path(__file__).resolve().parent / "errata"
PATCH_OPS = ("add", "replace", "remove", "nullable")
_MISSING = object()


class ErrataError(ValueError):
    """An errata file that is malformed (a mistake in the project, not in the target)."""


@dataclass(frozen=True)
class Patch:
    op: str  # add | replace | remove | nullable (let the schema at `path` accept null too)
    path: str  # JSON pointer; relative ones (no leading '/') apply under each listed operation
    value: Any = None
    expect: Any = _MISSING  # when set, the current value must equal it for the patch to apply


@dataclass(frozen=True)
class Erratum:
    id: str
    title: str
    evidence: str
    operations: tuple[str, ...]  # "METHOD /path" labels
    spec_title: str
    spec_versions: tuple[str, ...]  # info.version values; "*" matches any
    patches: tuple[Patch, ...] = ()
    exclude: str = ""  # when set: the operations are left out of generated calls, for this reason
    negative: str = ""  # when set: no invalid requests are generated for the operations, for this reason
    # When set: the spec is left as it is and this says how the suites call the server instead
    # (documented so the disagreement is visible; it patches and silences nothing).
    worked_around: str = ""
    source: str = ""  # the errata file it came from

    def applies_to(self, title: str, version: str) -> bool:
        return title == self.spec_title and ("*" in self.spec_versions or version in self.spec_versions)


@dataclass
class Overlay:
    """The outcome of applying errata to one spec document."""

    document: dict[str, Any]
    applied: list[Erratum] = field(default_factory=list)
    skipped: list[tuple[Erratum, str]] = field(default_factory=list)  # (erratum, why it did not apply)
    excluded: dict[str, str] = field(default_factory=dict)  # operation label -> reason (erratum id: why)
    positive_only: dict[str, str] = field(default_factory=dict)  # operation label -> why no invalid requests

    def summary(self) -> str:
        if not self.applied and not self.skipped:
            return "no spec errata applied"
        parts = [f"{len(self.applied)} spec errata applied: " + (", ".join(e.id for e in self.applied) or "none")]
        if self.skipped:
            parts.append("not applicable: " + ", ".join(f"{e.id} ({why})" for e, why in self.skipped))
        return "; ".join(parts)


# --- parsing ----------------------------------------------------------------------------------


def parse_errata(text: str, source: str = "<errata>") -> list[Erratum]:
    """One errata file: a [spec] table (title, versions) and [[erratum]] entries with [[erratum.patch]]."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ErrataError(f"{source}: not valid TOML: {exc}") from None
    spec = data.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("title"), str) or not isinstance(spec.get("versions"), list):
        raise ErrataError(f'{source}: needs a [spec] table with title = "..." and versions = ["..."]')
    out: list[Erratum] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("erratum", [])):
        where = f"{source}: erratum #{index + 1}"
        for key in ("id", "title", "evidence"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ErrataError(f"{where}: needs a non-empty '{key}'")
        where = f"{source}: erratum {entry['id']}"
        if entry["id"] in seen:
            raise ErrataError(f"{where}: duplicate id")
        seen.add(entry["id"])
        operations = entry.get("operations")
        if not isinstance(operations, list) or not operations or not all(_is_label(o) for o in operations):
            raise ErrataError(f"{where}: 'operations' must list labels like \"GET /threads/{{thread_id}}\"")
        patches = tuple(_parse_patch(p, where) for p in entry.get("patch", []))
        exclude = entry.get("exclude", "")
        worked_around = entry.get("worked_around", "")
        if not patches and not exclude and not entry.get("negative") and not worked_around:
            raise ErrataError(
                f"{where}: corrects nothing (give [[erratum.patch]] entries, exclude, negative, or worked_around)"
            )
        unknown = set(entry) - {"id", "title", "evidence", "operations", "patch", "exclude", "negative", "worked_around"}
        if unknown:
            raise ErrataError(f"{where}: unknown keys {sorted(unknown)}")
        out.append(
            Erratum(
                id=entry["id"], title=entry["title"], evidence=entry["evidence"].strip(),
                operations=tuple(operations), spec_title=spec["title"],
                spec_versions=tuple(str(v) for v in spec["versions"]), patches=patches,
                exclude=str(exclude), negative=str(entry.get("negative", "")), source=source,
                worked_around=str(worked_around),
            )
        )
    return out


def _is_label(value: Any) -> bool:
    if not isinstance(value, str) or " " not in value:
        return False
    method, path = value.split(" ", 1)
    return method.isupper() and path.startswith("/")


def _parse_patch(raw: Any, where: str) -> Patch:
    if not isinstance(raw, dict) or raw.get("op") not in PATCH_OPS or not isinstance(raw.get("path"), str):
        raise ErrataError(f"{where}: each patch needs op (one of {', '.join(PATCH_OPS)}) and path")
    if raw["op"] in ("add", "replace") and "value" not in raw:
        raise ErrataError(f"{where}: an '{raw['op']}' patch needs a value")
    unknown = set(raw) - {"op", "path", "value", "expect"}
    if unknown:
        raise ErrataError(f"{where}: unknown patch keys {sorted(unknown)}")
    return Patch(raw["op"], raw["path"], raw.get("value"), raw.get("expect", _MISSING))


def load_errata(directory: Path = ERRATA_DIR) -> list[Erratum]:
    out: list[Erratum] = []
    for path in sorted(directory.glob("*.toml")):
        out.extend(parse_errata(path.read_text(encoding="utf-8"), path.name))
    return out


# --- applying ---------------------------------------------------------------------------------


def operation_pointer(label: str) -> str:
    """"GET /threads/{thread_id}" -> "/paths/~1threads~1{thread_id}/get"."""
    method, path = label.split(" ", 1)
    return "/paths/" + _escape(path) + "/" + method.lower()


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ErrataError(f"'{pointer}' is not a JSON pointer")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _resolve(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _pointers(patch: Patch, erratum: Erratum) -> list[str]:
    if patch.path.startswith("/"):
        return [patch.path]
    return [f"{operation_pointer(label)}/{patch.path}".rstrip("/") for label in erratum.operations]


def _apply_one(document: dict, pointer: str, patch: Patch) -> str:
    """Apply `patch` at `pointer` in place; '' when done, else why it cannot apply."""
    tokens = _tokens(pointer)
    parent = _resolve(document, tokens[:-1]) if tokens else _MISSING
    if parent is _MISSING or not isinstance(parent, (dict, list)):
        return f"{pointer}: parent not in the spec"
    key = tokens[-1]
    current = _resolve(parent, [key])
    if patch.expect is not _MISSING and current != patch.expect:
        return f"{pointer}: the spec no longer has the expected value"
    if patch.op == "add":
        if current is not _MISSING:
            return f"{pointer}: already present (the spec may have been fixed)"
        if isinstance(parent, list):
            parent.insert(len(parent) if key == "-" else int(key), copy.deepcopy(patch.value))
        else:
            parent[key] = copy.deepcopy(patch.value)
        return ""
    if current is _MISSING:
        return f"{pointer}: not in the spec"
    if patch.op == "replace":
        parent[int(key) if isinstance(parent, list) else key] = copy.deepcopy(patch.value)
    elif patch.op == "remove":
        del parent[int(key) if isinstance(parent, list) else key]
    elif patch.op == "nullable":
        parent[int(key) if isinstance(parent, list) else key] = make_nullable(current)
    return ""


def make_nullable(schema: Any) -> Any:
    """`schema`, widened to accept null as well (and nothing else)."""
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]} if kind != "null" else schema
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    if "anyOf" in schema and any(s == {"type": "null"} for s in schema["anyOf"]):
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def apply_errata(document: dict[str, Any], errata: list[Erratum], strict: bool = False) -> Overlay:
    """A corrected deep copy of `document`: every erratum for its title/version, all-or-nothing each."""
    corrected = copy.deepcopy(document)
    overlay = Overlay(corrected)
    if strict:
        return overlay
    info = document.get("info", {}) if isinstance(document.get("info"), dict) else {}
    title, version = str(info.get("title", "")), str(info.get("version", ""))
    present = {label for label in _labels(document)}
    for erratum in errata:
        if not erratum.applies_to(title, version):
            continue
        missing = [label for label in erratum.operations if label not in present]
        if missing:
            overlay.skipped.append((erratum, f"the spec has no {', '.join(missing)}"))
            continue
        trial = copy.deepcopy(overlay.document)
        problems = [p for patch in erratum.patches for pointer in _pointers(patch, erratum) if (p := _apply_one(trial, pointer, patch))]
        if problems:
            overlay.skipped.append((erratum, problems[0]))
            continue
        overlay.document = trial
        overlay.applied.append(erratum)
        for label in erratum.operations:
            if erratum.exclude:
                overlay.excluded[label] = f"{erratum.id}: {erratum.exclude}"
            if erratum.negative:
                overlay.positive_only[label] = f"{erratum.id}: {erratum.negative}"
    return overlay


def _labels(document: dict[str, Any]) -> list[str]:
    out = []
    for path, item in (document.get("paths") or {}).items():
        if isinstance(item, dict):
            for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
                if isinstance(item.get(method), dict):
                    out.append(f"{method.upper()} {path}")
    return out


def relaxes(erratum: Erratum) -> list[str]:
    """The contract requirements an erratum changes the judgement of, read from what it patches."""
    found: list[str] = []
    for patch in erratum.patches:
        path = patch.path
        if "responses/" in path and path.rstrip("/").split("/")[-1].isdigit():
            found.append("CON-002")  # a status code declared
        elif "/content/" in path or path.endswith("/content"):
            found.append("CON-003")
        elif "requestBody" in path or "parameters" in path:
            found += ["CON-006", "CON-007"]
        else:
            found.append("CON-005")  # a response schema (nullable, required, a component)
    if erratum.exclude:
        found += ["CON-001", "CON-002", "CON-003", "CON-005", "CON-006", "CON-007"]
    if erratum.negative:
        found.append("CON-006")
    return sorted(dict.fromkeys(found))
