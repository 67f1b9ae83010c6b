# DCCVIEW_SANITIZE=address|thread|undefined|address,undefined instruments the whole build.
if(DCCVIEW_SANITIZE)
  if(NOT DCCVIEW_SANITIZE MATCHES "^(address|thread|undefined|address,undefined)$")
    message(FATAL_ERROR "DCCVIEW_SANITIZE must be address, thread, undefined or address,undefined")
  endif()
  add_compile_options(-fsanitize=${DCCVIEW_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${DCCVIEW_SANITIZE})
  if(DCCVIEW_SANITIZE MATCHES "undefined")
    # An executable exports the inline functions a shared library also uses, so WebKit's own calls
    # to std::shared_ptr internals would bind to our UBSan-instrumented copies, whose vptr check
    # then rejects WebKit's objects (types it cannot see). Keeping our inline copies private avoids
    # those false reports without turning the vptr check off for our code.
    add_compile_options(-fvisibility-inlines-hidden)
  endif()
endif()
