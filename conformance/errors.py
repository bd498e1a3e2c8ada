"""Errors the suite reports to its user, each with its own exit code (sysexits.h values).

A configuration error is the user's to fix and never a verdict on the deployment: it ends the run
before any test with one line that names the problem and the fix.
"""

from __future__ import annotations

# Exit codes. 0 and 1 are pytest's own: every MUST passed / a MUST failed.
EXIT_SPEC_INVALID = 65  # EX_DATAERR: the spec is not OpenAPI 3.x
EXIT_TARGET_UNREACHABLE = 69  # EX_UNAVAILABLE: the base URL does not answer
EXIT_SUITE_ERROR = 70  # EX_SOFTWARE: the suite or the network failed (an `error` outcome)
EXIT_CREDENTIALS = 77  # EX_NOPERM: a credential is missing or refused where the suite needs one
EXIT_CONFIG = 78  # EX_CONFIG: an option, environment variable or profile is wrong


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
    """The target stopped answering (dead, hanging, or dripping bytes past the deadline)."""
