// The generated configuration messages (config.proto) by name only, for headers
// that take them by reference: config.pb.h is some 570 KB of generated code that
// every file including such a header would otherwise parse (the build's time).
#pragma once

namespace google::protobuf {
template <typename Element>
class RepeatedPtrField;
}  // namespace google::protobuf

namespace isupgw::config {
class Admission;
class Overload;
class Config;
class Route;
}  // namespace isupgw::config
