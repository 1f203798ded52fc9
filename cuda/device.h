// What CUDA devices this process can use, asked without a CUDA header in the caller.
#pragma once

#include <string>

#include "compute_capability.h"

namespace audify::cuda {

// Device 0, the one every GpuApi runs on.
struct DeviceStatus {
  int device_count = 0;  // 0 when device 0 is unusable, whatever the driver counts
  std::string reason;    // why none is usable (no driver, no device, a compute capability this
                         // build has no code for, ...); empty when one is
  std::string name;      // device 0's name when present
  ComputeCapability cc;  // device 0's when present
};

DeviceStatus query_devices();

}  // namespace audify::cuda
