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

/** The calls a view bound with bind_call / bind_api, each as (params) => result: the declaration
 *  WebView.typescript() writes fills this in (module augmentation of this file). Empty otherwise. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DccviewCalls {}

export interface Dccview {
  /** A bound call (DccviewCalls): its params and result typed from the Python signature. */
  call<M extends keyof DccviewCalls>(
    method: M,
    ...args: [...Parameters<DccviewCalls[M]>, options?: CallOptions]
  ): Promise<ReturnType<DccviewCalls[M]>>;
  /** Calls the native handler `method`; resolves with its return value. (A bound call's name does not
   *  fit here: its params must be the ones DccviewCalls declares.) */
  call<T = unknown, M extends string = string>(
    method: M extends keyof DccviewCalls ? never : M,
    params?: unknown,
    options?: CallOptions,
  ): Promise<T>;
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
