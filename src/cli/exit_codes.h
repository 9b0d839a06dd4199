// The exit codes of `ecert-token`, documented in its man page
// (docs/man/ecert-token.1) and stable for scripts.
#pragma once

namespace ecert::cli {

inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;          // the token or module reported an error; a file could not be read or written
inline constexpr int kUsage = 2;           // bad command line, or a password was needed and none could be asked
inline constexpr int kWrongPassword = 3;   // wrong token, SO or PKCS#12 password
inline constexpr int kLocked = 4;          // the token (or its SO password) is locked
inline constexpr int kPolicy = 5;          // the new password breaks the token's password rules
inline constexpr int kNotFound = 6;        // no such token, certificate or object, or the choice is ambiguous
inline constexpr int kMustChange = 7;      // the token password must be changed before the token can be used
inline constexpr int kBrowserRunning = 8;  // a browser using the profile is running: nothing was changed there
inline constexpr int kNoModule = 9;        // the PKCS#11 module cannot be loaded
inline constexpr int kCancelled = 10;      // the user said no

}  // namespace ecert::cli
