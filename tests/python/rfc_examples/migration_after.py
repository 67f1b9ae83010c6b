from dccview import WebView

# Option 1: Enable dcc_mode
webview = WebView(parent=hwnd, dcc_mode=True)

@webview.on("create_object")
def handle_create(data):
    # Automatically runs on main thread!
    import maya.cmds as cmds
    return cmds.polyCube()[0]

# Option 2: Use thread_safe() wrapper
safe = webview.thread_safe()
safe.eval_js("updateStatus('working')")  # Thread-safe!

# Option 3: Use decorator explicitly
from dccview.utils import dcc_thread_safe

@webview.on("export")
@dcc_thread_safe
def handle_export(data):
    import maya.cmds as cmds
    cmds.file(save=True)
