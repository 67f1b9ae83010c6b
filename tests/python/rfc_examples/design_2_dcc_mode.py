# Enable DCC mode - all callbacks automatically run on main thread
webview = WebView(
    parent=dcc_hwnd,
    dcc_mode=True,  # Enable automatic thread marshaling
)

# No decorator needed - automatically thread-safe
@webview.on("create_object")
def handle_create(data):
    import maya.cmds as cmds
    return cmds.polyCube()[0]
