// The VTY's commands (issue 16): syntax and help as libosmovty reads them, and for each the model query or
// action it stands for. Handlers run on the VTY thread and reach the model only through VtyServer::ask.
#pragma once

#include <string>
#include <vector>

namespace isupgw::daemon {

class VtyServer;

struct VtyCommand {
  const char* syntax;  // libosmovty syntax: WORD / <1-16383> arguments, (a|b) alternatives
  const char* help;    // one line per token ("\n"-terminated), as libosmovty wants
  bool enable_only;    // an action: only after `enable`
  std::string (*run)(VtyServer& vty, const std::vector<std::string>& args);  // the text to print
};

const std::vector<VtyCommand>& vty_commands();

}  // namespace isupgw::daemon
