// Softmax output and categorical cross-entropy. Keras computes this loss from the logits whenever
// the model ends in a softmax (backend.categorical_crossentropy follows the softmax's cached
// `_keras_logits`, formerly the Softmax op's input), so there is no probability clipping on the
// training path and the gradient is exactly (p - onehot) / batch.
#pragma once

#include <span>

namespace audify::nn {

// In place over `rows` rows of `cols` logits each (stride ld): logits -> probabilities.
void softmax_rows(int rows, int cols, float* z, int ld);

struct XentResult {
  double loss_sum = 0.0;  // sum over rows of -log p[label]
  int correct = 0;        // rows whose argmax equals the label
};

// Turns logits (rows, cols; stride ld) into dL/dlogits for the batch-mean loss, in place, and
// returns the summed loss and the number of correct argmaxes (ties go to the lowest index).
XentResult softmax_xent_backward(int rows, int cols, float* z, int ld, std::span<const int> labels);

// The same for soft targets (rows, cols; each row sums to 1, e.g. mixup's): loss -sum t log p,
// gradient (p - t) / batch; a row counts as correct when its argmax is the target's.
XentResult softmax_xent_soft_backward(int rows, int cols, float* z, int ld, const float* targets);

}  // namespace audify::nn
