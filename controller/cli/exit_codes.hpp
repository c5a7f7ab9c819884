// Exit codes every `atmo` command uses, documented in docs/cli.md, so scripts can tell a bad
// config from an unreachable device from a venue out of standard.
#pragma once

namespace atmo::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,          ///< the command ran and found a problem (e.g. out of standard)
  kExitUsage = 2,            ///< bad command line
  kExitConfigInvalid = 3,    ///< the venue file has errors
  kExitUnreachable = 4,      ///< a device, bus or the daemon did not answer
  kExitDeviceError = 5,      ///< a device answered with an exception or garbage
  kExitDenied = 6,           ///< not logged in, the session ended, or the user's role may not do this
};

}  // namespace atmo::cli
