#include "cli/decode.h"

#include "cli/codec_h248.h"
#include "cli/codec_isup.h"
#include "cli/codec_iua.h"
#include "cli/codec_m2pa.h"
#include "cli/codec_m3ua.h"
#include "cli/codec_q931.h"

namespace isupgw::cli {

const std::vector<Codec>& codecs() {
  // Codec issues add one entry each: {"isup", "...", &decode_fn, &encode_fn}.
  static const std::vector<Codec> table = {
      {"m3ua", "SIGTRAN M3UA message (RFC 4666)", &decode_m3ua, &encode_m3ua},
      {"m2pa", "SIGTRAN M2PA message (RFC 4165) with its MTP3 message (Q.704/Q.707; --variant itu|ansi)", &decode_m2pa,
       &encode_m2pa},
      {"isup", "ISUP message (Q.763; --variant itu|etsi|ansi, --body for RFC 3204)", &decode_isup, &encode_isup},
      {"iua", "SIGTRAN IUA message (RFC 4233/5133); Data carries Q.931", &decode_iua, &encode_iua},
      {"q931", "Q.931 / DSS1 message (ETSI EN 300 403-1)", &decode_q931, &encode_q931},
      {"h248", "H.248.1 v3 text message (decode: TEXT to JSON; encode: TEXT normalised, --style pretty|compact)",
       &decode_h248, &encode_h248},
  };
  return table;
}

Result<ParsedArgs, std::string> parse_cli_args(const CliArgs& args, std::span<const std::string_view> known) {
  ParsedArgs out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.starts_with("--")) {
      bool ok = false;
      for (auto k : known) ok = ok || k == a;
      if (!ok) return Err(std::string("unknown option '") + std::string(a) + "'");
      if (i + 1 >= args.size()) return Err(std::string("option '") + std::string(a) + "' needs a value");
      out.options.emplace_back(a, args[++i]);
    } else {
      if (!out.rest.empty() && !out.rest.ends_with(' ')) out.rest += ' ';
      out.rest += a;
    }
  }
  return out;
}

}  // namespace isupgw::cli
