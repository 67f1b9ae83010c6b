# DCCVIEW_SANITIZE=address|thread|undefined|address,undefined instruments the whole build.
if(DCCVIEW_SANITIZE)
  if(NOT DCCVIEW_SANITIZE MATCHES "^(address|thread|undefined|address,undefined)$")
    message(FATAL_ERROR "DCCVIEW_SANITIZE must be address, thread, undefined or address,undefined")
  endif()
  add_compile_options(-fsanitize=${DCCVIEW_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${DCCVIEW_SANITIZE})
endif()
