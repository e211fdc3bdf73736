#include "gateway/decode.h"

namespace isupgw::gateway {

const std::vector<Decoder>& decoders() {
  // Codec issues add their entries here.
  static const std::vector<Decoder> table = {};
  return table;
}

}  // namespace isupgw::gateway
