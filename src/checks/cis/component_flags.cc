#include "checks/cis/component_flags.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace kspm::checks::cis {
namespace {

// Boolean flags: Go's flag parsers never take their value from the next word (`--profiling false`
// sets profiling to true and leaves "false" as an argument), so neither does kspm.
bool isBooleanFlag(std::string_view name) {
  static constexpr std::string_view kBooleans[] = {
      "anonymous-auth", "profiling", "service-account-lookup", "use-service-account-credentials",
      "client-cert-auth", "auto-tls", "peer-client-cert-auth", "peer-auto-tls",
      "service-account-extend-token-expiration", "allow-privileged", "enable-bootstrap-token-auth",
      "leader-elect", "allocate-node-cidrs", "also-stdout", "redirect-stderr", "logtostderr",
      "alsologtostderr", "enable-aggregator-routing", "experimental-initial-corrupt-check",
      "enable-v2", "strict-reconfig-check", "enable-pprof", "contention-profiling",
      "enable-priority-and-fairness", "enable-garbage-collector", "v"};
  return std::find(std::begin(kBooleans), std::end(kBooleans), name) != std::end(kBooleans);
}

bool isShell(std::string_view program) {
  return program == "sh" || program == "bash" || program == "ash" || program == "dash";
}

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// A shell word that ends the component's command: a pipe, a list operator or a redirection.
bool endsCommand(std::string_view word) {
  return word == "|" || word == "||" || word == "&&" || word == ";" || word == "&" || word.starts_with(">") ||
         word.starts_with("1>") || word.starts_with("2>") || word.starts_with("&>");
}

struct Word {
  std::string text;
  const Node* node = nullptr;
  std::string path;
};

// The command and args of a container as words; a `sh -c SCRIPT` script is split into its words.
std::vector<Word> containerWords(const Node& container, const std::string& container_path) {
  std::vector<Word> words;
  for (std::string_view field : {"command", "args"}) {
    const Node* list = container.get(field);
    if (list == nullptr || !list->isArray()) continue;
    size_t index = 0;
    for (const Node& item : list->items()) {
      std::string path = container_path + "." + std::string(field) + "[" + std::to_string(index++) + "]";
      if (!item.isString()) continue;
      bool script = words.size() >= 2 && words.back().text == "-c" && isShell(basename(words.front().text));
      if (script) {
        for (std::string& w : shellWords(item.str())) words.push_back({std::move(w), &item, path});
      } else {
        words.push_back({std::string(item.str()), &item, path});
      }
    }
  }
  return words;
}

std::string_view flagName(std::string_view word) {
  if (!word.starts_with("-") || word.size() < 2 || word == "--") return {};
  word.remove_prefix(word.starts_with("--") ? 2 : 1);
  return word.substr(0, word.find('='));
}

// Index of the word that runs the component's binary, or -1: the program itself, or a word after
// /go-runner's flags or inside a shell script. A word that is the value of a preceding non-boolean
// `--flag value` is not a program (a data dir /var/lib/etcd is not etcd).
int binaryIndex(const std::vector<Word>& words, std::string_view binary) {
  for (size_t i = 0; i < words.size(); ++i) {
    std::string_view w = words[i].text;
    if (w.starts_with("-")) continue;
    if (i > 0) {
      std::string_view prev = words[i - 1].text;
      std::string_view name = flagName(prev);
      if (!name.empty() && prev.find('=') == std::string_view::npos && !isBooleanFlag(name)) continue;
    }
    if (basename(w) == binary) return static_cast<int>(i);
  }
  return -1;
}

bool labelNames(const Object& object, std::string_view binary) {
  const Node* labels = object.root->find({"metadata", "labels"});
  if (labels == nullptr || !labels->isObject()) return false;
  for (std::string_view key : {"component", "k8s-app"}) {
    const Node* v = labels->get(key);
    if (v != nullptr && v->is(binary)) return true;
  }
  return false;
}

bool mayBeComponentPod(const Object& object) {
  return object.kind == "Pod" && object.group().empty() &&
         (object.namespace_.empty() || object.namespace_ == "kube-system");
}

// A necessary condition for parseComponent, without allocating: some container is named after the
// binary or mentions it in its command or args, or a label names it. Keeps applies_to cheap on the
// many kube-system pods (DaemonSet pods on every node) that are no component.
bool mentionsBinary(const Object& object, const Node& containers, std::string_view binary) {
  if (labelNames(object, binary)) return true;
  for (const Node& c : containers.items()) {
    const Node* name = c.get("name");
    if (name != nullptr && name->is(binary)) return true;
    for (std::string_view field : {"command", "args"}) {
      const Node* list = c.get(field);
      if (list == nullptr) continue;
      for (const Node& item : list->items()) {
        if (item.str().find(binary) != std::string_view::npos) return true;
      }
    }
  }
  return false;
}

void parseFlags(const std::vector<Word>& words, size_t begin, std::vector<FlagValue>* out) {
  for (size_t i = begin; i < words.size(); ++i) {
    std::string_view w = words[i].text;
    if (endsCommand(w)) return;
    bool last_word = false;
    if (w.ends_with(";")) {
      w.remove_suffix(1);
      last_word = true;
    }
    std::string_view name = flagName(w);
    if (!name.empty()) {
      FlagValue flag;
      flag.name = std::string(name);
      flag.node = words[i].node;
      flag.path = words[i].path;
      if (size_t eq = w.find('='); eq != std::string_view::npos) {
        flag.value = std::string(w.substr(eq + 1));
      } else if (!last_word && !isBooleanFlag(name) && i + 1 < words.size() &&
                 !words[i + 1].text.starts_with("-") && !endsCommand(words[i + 1].text)) {
        flag.value = words[++i].text;
        if (flag.value.ends_with(";")) {
          flag.value.pop_back();
          last_word = true;
        }
      } else {
        flag.bare = true;
      }
      out->push_back(std::move(flag));
    }
    if (last_word) return;
  }
}

}  // namespace

std::string_view componentBinary(Component component) {
  switch (component) {
    case Component::kApiServer: return "kube-apiserver";
    case Component::kControllerManager: return "kube-controller-manager";
    case Component::kScheduler: return "kube-scheduler";
    case Component::kEtcd: return "etcd";
  }
  return "";
}

const FlagValue* ComponentCommand::last(std::string_view name) const {
  for (auto it = flags.rbegin(); it != flags.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

std::vector<std::string> ComponentCommand::list(std::string_view name) const {
  std::vector<std::string> out;
  for (const FlagValue& f : flags) {
    if (f.name != name) continue;
    std::string_view rest = f.value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::optional<ComponentCommand> parseComponent(const Object& object, Component component) {
  if (!mayBeComponentPod(object)) return std::nullopt;
  const Node* containers = object.root->find({"spec", "containers"});
  if (containers == nullptr || !containers->isArray()) return std::nullopt;
  const std::string_view binary = componentBinary(component);
  if (!mentionsBinary(object, *containers, binary)) return std::nullopt;

  struct Candidate {
    const Node* container = nullptr;
    size_t index = 0;
    std::vector<Word> words;
    int flags_begin = -1;
  };
  std::optional<Candidate> chosen;
  // 1. A container whose command line runs the binary.
  size_t index = 0;
  for (const Node& c : containers->items()) {
    std::string path = "spec.containers[" + std::to_string(index) + "]";
    std::vector<Word> words = containerWords(c, path);
    if (int at = binaryIndex(words, binary); at >= 0) {
      chosen = Candidate{&c, index, std::move(words), at + 1};
      break;
    }
    ++index;
  }
  // 2. A container named after the binary, or the first container of a pod labelled as the
  //    component, whose image runs the binary itself (no command, or a non-shell program).
  if (!chosen) {
    const bool labelled = labelNames(object, binary);
    index = 0;
    for (const Node& c : containers->items()) {
      const Node* name = c.get("name");
      if ((name != nullptr && name->is(binary)) || (labelled && index == 0)) {
        std::string path = "spec.containers[" + std::to_string(index) + "]";
        std::vector<Word> words = containerWords(c, path);
        const Node* command = c.get("command");
        bool has_command = command != nullptr && command->isArray() && command->size() > 0;
        if (!has_command) {
          chosen = Candidate{&c, index, std::move(words), 0};
          break;
        }
        if (!words.empty() && !isShell(basename(words.front().text))) {
          chosen = Candidate{&c, index, std::move(words), 1};
          break;
        }
      }
      ++index;
    }
  }
  if (!chosen) return std::nullopt;

  ComponentCommand out;
  out.component = component;
  out.container = chosen->container;
  if (const Node* name = chosen->container->get("name"); name != nullptr) out.container_name = name->str();
  out.container_path = "spec.containers[" + std::to_string(chosen->index) + "]";
  out.anchor = chosen->container;
  out.anchor_path = out.container_path;
  for (std::string_view field : {"args", "command"}) {
    if (const Node* n = chosen->container->get(field); n != nullptr) {
      out.anchor = n;
      out.anchor_path = out.container_path + "." + std::string(field);
    }
  }
  parseFlags(chosen->words, static_cast<size_t>(chosen->flags_begin), &out.flags);
  if (component == Component::kEtcd) {
    // ETCD_<FLAG> variables count only where the command line does not set the flag.
    std::vector<FlagValue> env_flags;
    const Node* env = chosen->container->get("env");
    size_t i = 0;
    for (const Node& e : env != nullptr && env->isArray() ? env->items() : std::span<const Node>()) {
      const Node* name = e.get("name");
      const Node* value = e.get("value");
      if (name != nullptr && name->isString() && name->str().starts_with("ETCD_") && value != nullptr &&
          value->isString()) {
        FlagValue flag;
        for (char ch : name->str().substr(5)) {
          flag.name += ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
        flag.value = std::string(value->str());
        flag.node = value;
        flag.path = out.container_path + ".env[" + std::to_string(i) + "].value";
        if (out.last(flag.name) == nullptr) env_flags.push_back(std::move(flag));
      }
      ++i;
    }
    for (FlagValue& f : env_flags) out.flags.insert(out.flags.begin(), std::move(f));
  }
  return out;
}

bool isComponentPod(const Object& object, Component component) {
  if (!mayBeComponentPod(object)) return false;
  return parseComponent(object, component).has_value();
}

std::vector<std::string> shellWords(std::string_view script) {
  std::vector<std::string> words;
  std::string current;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < script.size()) {
        current += script[++i];
      } else {
        current += c;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < script.size()) {
      if (script[i + 1] != '\n') {
        current += script[i + 1];
        in_word = true;
      }
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) words.push_back(std::move(current));
      current.clear();
      in_word = false;
    } else {
      current += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(current));
  return words;
}

std::optional<bool> parseGoBool(std::string_view text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" || text == "True") return true;
  if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" || text == "False") return false;
  return std::nullopt;
}

std::optional<int64_t> parseInteger(std::string_view text) {
  if (text.starts_with("+")) text.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace kspm::checks::cis
