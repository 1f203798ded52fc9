// A request the API refuses: the HTTP status to answer with and a message that says what was wrong
// with the request, sent as {"error": message}.
#pragma once

#include <string>

#include "core/error.h"

namespace audify {

class ApiError : public Error {
 public:
  ApiError(int status, const std::string& message) : Error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace audify
