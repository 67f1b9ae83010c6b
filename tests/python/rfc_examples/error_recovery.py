@dcc_thread_safe
def safe_dcc_operation(data: dict) -> dict:
    """Example of robust error handling in DCC operations."""
    try:
        result = perform_dcc_operation(data)
        return {"success": True, "result": result}
    except TimeoutError as e:
        logger.error(f"Operation timed out: {e}")
        return {"success": False, "error": "timeout", "message": str(e)}
    except ThreadSafetyError as e:
        logger.error(f"Thread safety error: {e}")
        return {"success": False, "error": "thread_safety", "message": str(e)}
    except Exception as e:
        logger.exception(f"Unexpected error in DCC operation")
        return {"success": False, "error": "unknown", "message": str(e)}
