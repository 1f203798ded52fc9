#include "nn/cnn/sb_cnn.h"

#include "nn/cnn/cnn_spec.h"

namespace audify::nn::cnn {

Sequential make_sb_cnn(const SbCnnConfig& c, uint64_t seed) {
  CnnSpec spec = sb_cnn_spec(c.mel_bands, c.frames, c.classes);
  spec.dropout = c.dropout;
  spec.l2 = c.l2;
  return make_cnn(spec, seed);
}

}  // namespace audify::nn::cnn
