#include "nn/cnn/init.h"

#include "core/philox.h"
#include "nn/mlp.h"

namespace audify::nn::cnn {

void glorot_uniform(Param& p, int fan_in, int fan_out, const InitSeed& seed) {
  const auto limit = static_cast<float>(glorot_limit(fan_in, fan_out));
  for (std::size_t e = 0; e < p.value.size(); ++e) {
    const uint32_t word =
        philox_word(seed.seed, RandomStream::kInit, seed.layer, 0, static_cast<uint32_t>(e));
    p.value[e] = limit * (2.0f * uniform01(word) - 1.0f);
  }
}

}  // namespace audify::nn::cnn
