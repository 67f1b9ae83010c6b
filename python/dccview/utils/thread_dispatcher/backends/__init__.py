"""Built-in dispatcher backends, one module per host. Each imports its host lazily: a backend is only
*available* when its host's modules are already loaded in this process."""
