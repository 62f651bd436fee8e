#include "analyze/session_state.h"

#include <algorithm>
#include <cstring>

namespace rls_shadow {

// A session defines a handful of settings, and most names looked up (role, row_security, the
// lane setting) differ in length from all but one or two of them: a scan that compares lengths
// first costs less than the binary search's calls to memcmp. Many settings: the search.
SessionState::Settings::const_iterator SessionState::FindSetting(std::string_view name) const {
  constexpr size_t kScanned = 16;
  if (settings_.size() > kScanned) return settings_.find(name);
  for (auto it = settings_.begin(); it != settings_.end(); ++it) {
    if (it->first.size() == name.size() &&
        std::memcmp(it->first.data(), name.data(), name.size()) == 0) {
      return it;
    }
  }
  return settings_.end();
}

namespace {

// The settings that decide who the session is and whether RLS applies to it.
bool IsIdentitySetting(std::string_view name) {
  return name == "role" || name == "session_authorization" || name == "row_security";
}

// Whether a map of settings by name (values, or login defaults) names one of them.
template <typename Map>
bool NamesIdentity(const Map& settings) {
  return std::any_of(settings.begin(), settings.end(),
                     [](const auto& entry) { return IsIdentitySetting(entry.first); });
}

}  // namespace

SettingEntry& SessionState::Touch(const std::string& name) {
  if (IsIdentitySetting(name)) identity_named_ = true;
  return settings_[name];
}

void SessionState::set_defaults(const SettingDefaults* defaults) {
  defaults_ = defaults;
  defaults_name_identity_ = defaults != nullptr && NamesIdentity(*defaults);
}

bool SessionState::NamesIdentitySetting(const Settings& settings) {
  return NamesIdentity(settings);
}

std::optional<std::string_view> SessionState::SettingView(std::string_view name) const {
  auto default_of = [&]() -> std::optional<std::string_view> {
    if (defaults_ != nullptr && !defaults_->empty()) {
      if (auto d = defaults_->find(name); d != defaults_->end()) return d->second;
    }
    return std::nullopt;
  };
  auto it = FindSetting(name);
  if (it == settings_.end() || !it->second.defined) return default_of();
  const SettingEntry& e = it->second;
  if (e.local) return *e.local;
  if (e.session) return *e.session;
  if (auto d = default_of()) return d;
  return std::string_view();  // a placeholder with no value reads ''
}

std::optional<std::string> SessionState::Setting(std::string_view name) const {
  auto v = SettingView(name);
  if (!v) return std::nullopt;
  return std::string(*v);
}

const SettingEntry* SessionState::Entry(std::string_view name) const {
  auto it = FindSetting(name);
  return it == settings_.end() ? nullptr : &it->second;
}

std::string_view SessionState::SessionUserView() const {
  if (!IdentityMayBeSet()) return login_user_;
  auto auth = SettingView("session_authorization");
  if (auth && !auth->empty() && *auth != "default") return *auth;
  return login_user_;
}

std::string SessionState::SessionUser() const { return std::string(SessionUserView()); }

void SessionState::UsersView(std::string_view* current_user, std::string_view* session_user) const {
  if (!IdentityMayBeSet()) {
    *current_user = *session_user = login_user_;
    return;
  }
  *session_user = SessionUserView();
  auto role = SettingView("role");
  *current_user = role && !role->empty() && *role != "none" ? *role : *session_user;
}

std::string SessionState::CurrentUser() const {
  std::string_view current, session;
  UsersView(&current, &session);
  return std::string(current);
}

bool SessionState::RowSecurityOff() const {
  if (!IdentityMayBeSet()) return false;
  auto v = SettingView("row_security");
  return v && (*v == "off" || *v == "false" || *v == "0" || *v == "no");
}

void SessionState::BeginStatement(bool multi, bool may_change) {
  in_statement_ = true;
  statement_multi_ = multi;
  ended_in_statement_ = false;
  // Inside a block a failed statement rolls nothing back (the block is aborted until ROLLBACK,
  // which restores txn_start_): no snapshot. Outside, the statement starts the transaction.
  if (in_block_) return;
  ++txn_serial_;
  implicit_block_ = multi;
  txn_snapshot_valid_ = may_change;
  if (may_change) txn_start_ = settings_;
}

void SessionState::EndStatement() {
  in_statement_ = false;
  if (in_block_) return;
  // The implicit transaction of the statement (or of the whole multi-statement string) ends.
  implicit_block_ = false;
  EndTransaction(/*commit=*/true);
}

void SessionState::FailStatement() {
  in_statement_ = false;
  if (in_block_) {
    aborted_ = true;  // later statements fail with 25P02 until ROLLBACK
    return;
  }
  implicit_block_ = false;
  EndTransaction(/*commit=*/false);
}

bool SessionState::Set(const std::string& name, std::optional<std::string> value, bool is_local,
                       const SettingOrigin& origin) {
  SettingEntry& e = Touch(name);
  e.defined = true;
  if (is_local) {
    if (!in_block_ && !implicit_block_) {
      // WARNING 25P01: no effect, but the placeholder now exists and reads ''.
      e.origin = origin;
      e.origin.lost_autocommit = !e.local && !e.session;
      return false;
    }
    e.local = value.value_or(std::string());  // SET LOCAL x TO DEFAULT: the reset value
    e.origin = origin;
    return true;
  }
  e.session = std::move(value);
  e.local.reset();  // a session SET overrides an earlier SET LOCAL in the same transaction
  e.origin = origin;
  return true;
}

void SessionState::SetConfig(const std::string& name, std::optional<std::string> value,
                             bool is_local, const SettingOrigin& origin) {
  SettingEntry& e = Touch(name);
  e.defined = true;
  e.origin = origin;
  if (is_local) {
    e.local = value.value_or(std::string());
    if (!in_block_ && !implicit_block_) e.origin.lost_autocommit = true;
    return;
  }
  e.session = std::move(value);
  e.local.reset();
}

void SessionState::Reset(const std::string& name) {
  SettingEntry& e = Touch(name);
  e.defined = true;
  e.session.reset();
  e.local.reset();
  e.origin = SettingOrigin{};
}

void SessionState::ResetAll() { ResetValues(/*identity_too=*/false); }

void SessionState::DiscardAll() { ResetValues(/*identity_too=*/true); }

void SessionState::ResetValues(bool identity_too) {
  for (auto& [name, e] : settings_) {
    if (!identity_too && (name == "role" || name == "session_authorization")) continue;
    e.session.reset();
    e.local.reset();
    e.origin = SettingOrigin{};
  }
}

void SessionState::Begin() {
  if (in_block_) return;  // WARNING: there is already a transaction in progress
  in_block_ = true;
  implicit_block_ = false;
  aborted_ = false;
  // BEGIN makes the statement's implicit block explicit, so txn_start_ already holds where it
  // started: the statement's start (BeginStatement), or where an earlier transaction of a
  // multi-statement string ended (AfterTransactionEnd). A single statement that ended one
  // (COMMIT AND CHAIN) starts the next here, as does a BEGIN outside any statement.
  if (!in_statement_ || (ended_in_statement_ && !statement_multi_)) txn_start_ = settings_;
  txn_snapshot_valid_ = true;
}

void SessionState::Commit() {
  if (!in_block_ && !implicit_block_) return;  // WARNING: no transaction in progress
  bool commit = !aborted_;
  in_block_ = false;
  implicit_block_ = false;
  EndTransaction(commit);
  AfterTransactionEnd();
}

void SessionState::Rollback() {
  if (!in_block_ && !implicit_block_) return;
  in_block_ = false;
  implicit_block_ = false;
  EndTransaction(/*commit=*/false);
  AfterTransactionEnd();
}

void SessionState::AfterTransactionEnd() {
  if (!in_statement_) return;
  ended_in_statement_ = true;
  if (!statement_multi_) return;
  // The rest of the string runs in a new implicit block (SET LOCAL lasts until the string
  // ends), and its failure rolls back to here, not to the ended transaction's start.
  implicit_block_ = true;
  txn_start_ = settings_;
  txn_snapshot_valid_ = true;
}

void SessionState::EndTransaction(bool commit) {
  if (commit) {
    for (auto& [name, e] : settings_) e.local.reset();
  } else if (txn_snapshot_valid_) {
    Restore(txn_start_);
  }
  savepoints_.clear();
  aborted_ = false;
}

void SessionState::Restore(const Settings& snapshot) {
  Settings restored = snapshot;
  for (const auto& [name, e] : settings_) {
    if (!e.defined) continue;
    SettingEntry& r = restored[name];
    if (!r.defined) {
      r.defined = true;  // the placeholder survives the rollback and now reads ''
      r.origin = SettingOrigin{};
    }
  }
  settings_ = std::move(restored);
}

void SessionState::Savepoint(const std::string& name) {
  if (!in_block_) return;  // ERROR 25P01 outside a block; the log shows the error
  savepoints_.emplace_back(name, settings_);
}

void SessionState::RollbackTo(const std::string& name) {
  for (size_t i = savepoints_.size(); i-- > 0;) {
    if (savepoints_[i].first == name) {
      Restore(savepoints_[i].second);
      savepoints_.resize(i + 1);  // the savepoint itself remains
      aborted_ = false;
      return;
    }
  }
}

void SessionState::Release(const std::string& name) {
  for (size_t i = savepoints_.size(); i-- > 0;) {
    if (savepoints_[i].first == name) {
      savepoints_.resize(i);
      return;
    }
  }
}

}  // namespace rls_shadow
