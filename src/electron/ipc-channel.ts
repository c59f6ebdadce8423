/** The one IPC channel between preload and main: every contract call goes through it. */
export const CALL_CHANNEL = 'blos:call';
