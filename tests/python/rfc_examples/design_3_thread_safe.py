from dccview import WebView

webview = WebView(...)

# Get a thread-safe wrapper for cross-thread calls
safe_webview = webview.thread_safe()

# Can be called from any thread
safe_webview.eval_js("console.log('Hello')")  # Thread-safe
safe_webview.emit("status", {"ready": True})  # Thread-safe
safe_webview.load_url("https://example.com")  # Thread-safe
