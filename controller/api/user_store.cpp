#include "controller/api/user_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

namespace atmo::api {
namespace json = boost::json;

Status check_username(std::string_view name) {
  if (name.empty() || name.size() > 32) return make_error("a user name has 1 to 32 characters");
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
      return make_error("a user name uses lowercase letters, digits and . _ - (starting with a letter or digit): '" +
                        std::string(name) + "'");
    }
  }
  return ok_status();
}

namespace {

Status write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::string tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error("cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      ::close(fd);
      return make_error("cannot write " + tmp + ": " + err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return make_error("cannot flush " + tmp + ": " + std::strerror(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0) return make_error("cannot replace " + path.string() + ": " + std::strerror(errno));
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok_status();
}

Result<std::string> get_string(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return make_error(std::string("missing text field '") + std::string(key) + "'");
  return std::string(v->as_string());
}

}  // namespace

Result<std::unique_ptr<UserStore>> UserStore::open(std::filesystem::path path, const Clock& clock,
                                                   std::uint32_t iterations) {
  std::unique_ptr<UserStore> store(new UserStore(std::move(path), clock, iterations));
  store->dummy_ = hash_secret("no such user", iterations);
  std::error_code ec;
  if (!std::filesystem::exists(store->path_, ec)) return store;
  std::ifstream in(store->path_);
  if (!in) return make_error("cannot read the users file " + store->path_.string());
  std::stringstream buf;
  buf << in.rdbuf();
  json::error_code jec;
  const auto doc = json::parse(buf.str(), jec);
  const std::string where = "users file " + store->path_.string() + ": ";
  if (jec) return make_error(where + "not JSON: " + jec.message());
  if (!doc.is_object() || !doc.as_object().contains("users") || !doc.at("users").is_array()) {
    return make_error(where + "expected {\"version\": 1, \"users\": [...]}");
  }
  for (const auto& item : doc.at("users").as_array()) {
    if (!item.is_object()) return make_error(where + "every user must be an object");
    const auto& o = item.as_object();
    Entry e;
    auto name = get_string(o, "username");
    auto role = get_string(o, "role");
    auto salt = get_string(o, "salt");
    auto hash = get_string(o, "hash");
    if (!name || !role || !salt || !hash) return make_error(where + "a user lacks username, role, salt or hash");
    v1::Role r{};
    if (!v1::Role_Parse(*role, &r) || r == v1::ROLE_UNSPECIFIED) return make_error(where + "unknown role '" + *role + "'");
    e.user.set_username(*name);
    e.user.set_role(r);
    if (auto d = get_string(o, "display_name")) e.user.set_display_name(*d);
    if (auto l = get_string(o, "language")) e.user.set_language(*l);
    if (const auto* z = o.if_contains("zones"); z && z->is_array()) {
      for (const auto& zone : z->as_array()) {
        if (zone.is_string()) e.user.add_zones(std::string(zone.as_string()));
      }
    }
    if (const auto* d = o.if_contains("disabled"); d && d->is_bool()) e.user.set_disabled(d->as_bool());
    if (const auto* c = o.if_contains("created_ms"); c && c->is_int64()) e.user.set_created_ms(c->as_int64());
    e.hash.salt_hex = *salt;
    e.hash.hash_hex = *hash;
    if (auto a = get_string(o, "algorithm")) e.hash.algorithm = *a;
    if (const auto* it = o.if_contains("iterations"); it && it->is_int64() && it->as_int64() > 0) {
      e.hash.iterations = static_cast<std::uint32_t>(it->as_int64());
    }
    store->users_[*name] = std::move(e);
  }
  return store;
}

Status UserStore::save() const {
  json::array users;
  for (const auto& [name, e] : users_) {
    json::array zones;
    for (const auto& z : e.user.zones()) zones.emplace_back(z);
    users.push_back(json::object{{"username", name},
                                 {"display_name", e.user.display_name()},
                                 {"role", v1::Role_Name(e.user.role())},
                                 {"zones", std::move(zones)},
                                 {"disabled", e.user.disabled()},
                                 {"language", e.user.language()},
                                 {"created_ms", e.user.created_ms()},
                                 {"algorithm", e.hash.algorithm},
                                 {"iterations", e.hash.iterations},
                                 {"salt", e.hash.salt_hex},
                                 {"hash", e.hash.hash_hex}});
  }
  return write_file_atomically(path_, json::serialize(json::object{{"version", 1}, {"users", std::move(users)}}) + "\n");
}

std::optional<v1::User> UserStore::find(std::string_view username) const {
  auto it = users_.find(username);
  if (it == users_.end()) return std::nullopt;
  return it->second.user;
}

std::vector<v1::User> UserStore::list() const {
  std::vector<v1::User> out;
  out.reserve(users_.size());
  for (const auto& [name, e] : users_) out.push_back(e.user);
  return out;
}

bool UserStore::verify(std::string_view username, std::string_view secret) const {
  const auto check = login_check(username);
  return verify_secret(secret, check.hash) && check.usable;
}

UserStore::LoginCheck UserStore::login_check(std::string_view username) const {
  auto it = users_.find(username);
  if (it == users_.end() || it->second.user.disabled()) return LoginCheck{dummy_, false};
  return LoginCheck{it->second.hash, true};
}

bool UserStore::still_current(std::string_view username, const LoginCheck& check) const {
  if (!check.usable) return false;
  const auto now = login_check(username);
  return now.usable && now.hash.salt_hex == check.hash.salt_hex && now.hash.hash_hex == check.hash.hash_hex &&
         now.hash.iterations == check.hash.iterations && now.hash.algorithm == check.hash.algorithm;
}

bool UserStore::enabled_admin_left(std::string_view without, const v1::User* replacement) const {
  if (replacement && replacement->role() == v1::ROLE_ADMIN && !replacement->disabled()) return true;
  for (const auto& [name, e] : users_) {
    if (name == without) continue;
    if (e.user.role() == v1::ROLE_ADMIN && !e.user.disabled()) return true;
  }
  return false;
}

Result<v1::User> UserStore::create(v1::User user, std::string_view secret) {
  if (auto ok = check_username(user.username()); !ok) return ok.error();
  if (user.role() == v1::ROLE_UNSPECIFIED) return make_error("choose a role for '" + user.username() + "'");
  if (users_.contains(user.username())) return make_error("the user name '" + user.username() + "' is taken");
  if (auto ok = check_secret_strength(secret); !ok) return ok.error();
  if (user.zones().empty() && (user.role() == v1::ROLE_MANAGER || user.role() == v1::ROLE_ADMIN ||
                               user.role() == v1::ROLE_TECHNICIAN)) {
    user.add_zones("*");
  }
  user.set_created_ms(clock_.now_ms());
  Entry e{user, hash_secret(secret, iterations_)};
  users_[user.username()] = e;
  if (auto ok = save(); !ok) {
    users_.erase(user.username());
    return ok.error();
  }
  return user;
}

Result<v1::User> UserStore::update(std::string_view username, const v1::User& changes, std::string_view secret) {
  auto it = users_.find(username);
  if (it == users_.end()) return make_error("no user '" + std::string(username) + "'");
  if (!secret.empty()) {
    if (auto ok = check_secret_strength(secret); !ok) return ok.error();
  }
  Entry next = it->second;
  if (changes.role() != v1::ROLE_UNSPECIFIED) next.user.set_role(changes.role());
  next.user.mutable_zones()->CopyFrom(changes.zones());
  next.user.set_display_name(changes.display_name());
  next.user.set_language(changes.language());
  next.user.set_disabled(changes.disabled());
  if (!enabled_admin_left(username, &next.user)) {
    return make_error("this change would leave no enabled admin; create another admin first");
  }
  if (!secret.empty()) next.hash = hash_secret(secret, iterations_);
  Entry before = it->second;
  it->second = next;
  if (auto ok = save(); !ok) {
    it->second = before;
    return ok.error();
  }
  return next.user;
}

Status UserStore::remove(std::string_view username) {
  auto it = users_.find(username);
  if (it == users_.end()) return make_error("no user '" + std::string(username) + "'");
  if (!enabled_admin_left(username, nullptr)) return make_error("'" + std::string(username) + "' is the last enabled admin");
  Entry before = it->second;
  users_.erase(it);
  if (auto ok = save(); !ok) {
    users_[std::string(username)] = before;
    return ok.error();
  }
  return ok_status();
}

Status UserStore::seed_demo_users(const std::string& therapist_zone) {
  struct Demo {
    const char* name;
    const char* display;
    v1::Role role;
    const char* pin;
  };
  static constexpr Demo kDemo[] = {{"admin", "Demo admin", v1::ROLE_ADMIN, "1111"},
                                   {"manager", "Demo manager", v1::ROLE_MANAGER, "2222"},
                                   {"reception", "Demo reception", v1::ROLE_RECEPTIONIST, "3333"},
                                   {"therapist", "Demo therapist", v1::ROLE_THERAPIST, "4444"},
                                   {"technician", "Demo technician", v1::ROLE_TECHNICIAN, "5555"}};
  for (const auto& d : kDemo) {
    if (users_.contains(d.name)) continue;
    v1::User u;
    u.set_username(d.name);
    u.set_display_name(d.display);
    u.set_role(d.role);
    u.add_zones(d.role == v1::ROLE_THERAPIST ? therapist_zone : "*");
    if (auto r = create(u, d.pin); !r) return r.error();
  }
  return ok_status();
}

}  // namespace atmo::api
