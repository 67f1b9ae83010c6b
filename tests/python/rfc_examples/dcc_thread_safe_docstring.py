@webview.on("export")
@dcc_thread_safe
def handle_export(data):
    import maya.cmds as cmds
    cmds.file(exportSelected=True)
