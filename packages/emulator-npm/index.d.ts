/** The path of this platform's `kontext-management-emulator` binary; throws when its package is missing. */
export function binaryPath(): string;
/** napi-rs' name of this platform: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, ... */
export function platformName(): string;
