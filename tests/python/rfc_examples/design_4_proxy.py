proxy = webview.get_proxy()

# Register a callback that runs on DCC main thread
proxy.on_dcc_main_thread("scene_changed", handle_scene_change)

# Emit event and get result on DCC main thread
result = proxy.call_on_dcc_main_thread(get_scene_info)
