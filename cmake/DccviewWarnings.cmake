# Warning flags for dccview's own targets (never forced on consumers).
add_library(dccview_warnings INTERFACE)
target_compile_options(dccview_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wcast-align
  $<$<BOOL:${DCCVIEW_WERROR}>:-Werror>)
