// Log lines fit for journald: under systemd (JOURNAL_STREAM set) the journal stamps each line
// itself, so atmo writes no timestamp of its own and opens each line with the syslog priority
// ("<3>" error, "<4>" warning, "<6>" info, "<7>" debug) that journald reads as the line's level.
#pragma once

namespace atmo::controller::service {

/// Switches spdlog's default logger to the journal format when JOURNAL_STREAM is set. Returns
/// whether it did.
bool use_journal_format_under_systemd();

}  // namespace atmo::controller::service
