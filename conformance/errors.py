"""Errors the suite reports to its user, each with its own exit code (sysexits.h values).

A configuration error is the user's to fix and never a verdict on the deployment: it ends the run
before any test with one line that names the problem and the fix.
"""

from __future__ import annotations

# Exit codes. 0 and 1 are pytest's own: every MUST passed / a MUST failed.
# 2-5 stay pytest's (interrupted, internal error, usage error, no tests collected).
EXIT_SPEC_INVALID = 65  # EX_DATAERR: the spec is not OpenAPI 3.x
EXIT_TARGET_UNREACHABLE = 69  # EX_UNAVAILABLE: the base URL does not answer
EXIT_SUITE_ERROR = 70  # EX_SOFTWARE: the suite or the network failed (an `error` outcome)
EXIT_CREDENTIALS = 77  # EX_NOPERM: a credential is missing or refused where the suite needs one
EXIT_CONFIG = 78  # EX_CONFIG: an option, environment variable or profile is wrong
# EX_TEMPFAIL: the run judged too little to give a verdict (a MUST was not judged); run again
# with what the report says would judge it (a graph id, a second key, the conformance graphs).
EXIT_INCOMPLETE = 75


class ConfigError(Exception):
    """A problem with what the user gave the suite; `str()` is the one line they read."""

    exit_code = EXIT_CONFIG

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} -- {fix}" if fix else problem)


class TargetUnreachable(ConfigError):
    exit_code = EXIT_TARGET_UNREACHABLE


class SpecInvalid(ConfigError):
    exit_code = EXIT_SPEC_INVALID


class CredentialsRefused(ConfigError):
    exit_code = EXIT_CREDENTIALS


class ReferenceStartFailed(ConfigError):
    """The embedded reference deployment could not be installed or started."""

    exit_code = EXIT_SUITE_ERROR


class SuiteError(Exception):
    """The suite or the network failed rather than the deployment: reported as `error`."""


class TargetUnavailable(SuiteError):
    """A request got no answer (the connection failed, or nothing came back by its deadline);
    once the breaker is open, the target stopped answering altogether."""

    def __init__(self, message: str, exchange: object = None) -> None:
        super().__init__(message)
        self.exchange = exchange
