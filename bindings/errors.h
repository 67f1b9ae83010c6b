// errors.h: dccview's exception classes as Python types, and the translation of native errors.
#pragma once

#include <Python.h>
#include <nanobind/nanobind.h>

#include "dccview/errors.h"

namespace dccview::python {

// Creates ThreadSafetyError and its subclasses (ThreadDispatchTimeoutError is also a TimeoutError),
// QueueFullError and JavaScriptError (a RuntimeError) in `module`, and registers the translator from
// the C++ exceptions of dccview/errors.h. Call once at import.
void bind_errors(nanobind::module_& module);

// The Python class that matches `code` (kTaskFailed/kOk: nullptr). Borrowed reference.
PyObject* exception_type(ErrorCode code) noexcept;

// Raises (throws nanobind::python_error for) the Python exception that matches `error`; for
// kTaskFailed rethrows the stored C++ exception for nanobind to translate.
[[noreturn]] void raise_error(const Error& error);

}  // namespace dccview::python
