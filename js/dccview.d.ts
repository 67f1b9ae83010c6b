// Type declarations for window.dccview, the page side of a dccview WebView (js/bridge.js).

export type DccviewErrorName =
  | "TimeoutError"          // no answer within the call's timeout
  | "HandlerError"          // the native handler threw; `type` names the native exception
  | "NotFoundError"         // no handler with that name (answered at once)
  | "ShutdownError"         // the WebView is closing, or the page is navigating away
  | "OriginError"           // native calls are not accepted from this origin
  | "PayloadTooLargeError"  // the message exceeds the configured limit
  | "ReservedNameError"     // the name starts with "dccview:" (dccview's own events)
  | "ProtocolError";        // a malformed message

export interface DccviewError extends Error {
  name: DccviewErrorName;
  code: DccviewErrorName;
  /** For HandlerError: the native exception's type, e.g. "std::out_of_range". */
  type?: string;
}

export interface CallOptions {
  /** Milliseconds before the promise rejects with TimeoutError (default 30000). */
  timeout?: number;
}

export interface Dccview {
  /** Calls the native handler `method`; resolves with its return value. */
  call<T = unknown>(method: string, params?: unknown, options?: CallOptions): Promise<T>;
  /** Sends an event to the native handler registered for `event`. Throws ReservedNameError for names
   *  starting with "dccview:". */
  emit(event: string, data?: unknown): void;
  /** Listens to events emitted by native code; returns a function that unsubscribes. */
  on<T = unknown>(event: string, callback: (data: T) => void): () => void;
  /** Like on(), for the next event only. */
  once<T = unknown>(event: string, callback: (data: T) => void): () => void;
  /** Removes one listener, or every listener of `event` when `callback` is omitted. */
  off(event: string, callback?: (data: unknown) => void): void;
  /** Resolves once native code has answered the bridge (calls made before are queued, not lost). */
  whenReady(): Promise<void>;
}

declare global {
  interface Window {
    readonly dccview: Dccview;
  }
}
