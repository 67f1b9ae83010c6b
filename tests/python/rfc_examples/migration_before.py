from dccview import WebView
from dccview.utils import ensure_main_thread
import threading

webview = WebView(parent=hwnd)
proxy = webview.get_proxy()

# Must manually ensure thread safety
@webview.on("create_object")
def handle_create(data):
    # This might be called from WebView thread!
    # Need to manually dispatch to main thread
    def _create():
        import maya.cmds as cmds
        return cmds.polyCube()[0]
    
    return run_on_main_thread_sync(_create)

# Background thread must use proxy
def background_work():
    proxy.eval_js("updateStatus('working')")
