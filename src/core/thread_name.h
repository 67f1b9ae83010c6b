// Naming the calling thread for the OS (internal): what ps, top and debuggers show. Names longer
// than the OS allows are cut (Linux: 15 bytes). Calling thread only.
#pragma once

#include <string>

namespace dccview::detail {

void set_current_thread_name(const std::string& name) noexcept;

}  // namespace dccview::detail
