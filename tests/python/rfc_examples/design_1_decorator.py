from dccview import WebView
from dccview.utils import dcc_thread_safe

webview = WebView(parent=dcc_hwnd)

@webview.on("save_scene")
@dcc_thread_safe  # Automatically runs on DCC main thread
def handle_save(data):
    import maya.cmds as cmds
    path = data.get("path")
    cmds.file(rename=path)
    cmds.file(save=True)
    return {"status": "saved", "path": path}
