// What CUDA devices this process can use, asked without a CUDA header in the caller.
#pragma once

#include <string>

namespace audify::cuda {

struct DeviceStatus {
  int device_count = 0;
  std::string reason;  // why none is usable (no driver, no device, ...); empty when one is
  std::string name;    // device 0's name when present
};

DeviceStatus query_devices();

}  // namespace audify::cuda
