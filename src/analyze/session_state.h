// SessionState: one PostgreSQL session's settings and transaction state, with PostgreSQL 15's
// exact semantics for custom (placeholder) settings — see PG_SEMANTICS.md §A:
//  - a setting never touched reads as NULL (current_setting(name, true)); once the session has
//    touched it in any way it reads back as '' when it has no value;
//  - SET is transactional (undone by ROLLBACK), SET LOCAL lasts until the end of the
//    transaction, and outside a transaction block SET LOCAL only warns;
//  - set_config(name, value, true) in autocommit lasts for its own statement only;
//  - SAVEPOINT / ROLLBACK TO / RELEASE restore or keep values;
//  - a transaction that ends inside a multi-statement string leaves the rest of the string in a
//    new implicit block, which starts where it ended;
//  - RESET / RESET ALL / DISCARD ALL return to the reset value ('' or the database default).
// Roles (SET ROLE, SET SESSION AUTHORIZATION) and row_security are settings too.
//
// Not thread-safe; owned by the SessionTracker.
#pragma once

#include <simdjson.h>

#include <boost/container/flat_map.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyze/analyzer_config.h"

namespace rls_shadow {

class JsonWriter;

// Who set a value, for the stale-context and lost-context causes.
struct SettingOrigin {
  std::string code_path;  // only when named by the statement's comment
  std::string lane;
  uint64_t transaction = 0;      // the transaction serial it was set in
  bool lost_autocommit = false;  // '' because a local value was set outside a transaction block
};

struct SettingEntry {
  bool defined = false;                // the placeholder exists (reads '' rather than NULL)
  std::optional<std::string> session;  // session value; nullopt: the reset value
  std::optional<std::string> local;    // SET LOCAL / set_config(..., true) for this transaction
  SettingOrigin origin;
};

class SessionState {
 public:
  // A sorted vector (a session defines a handful of settings): a lookup is a binary search in
  // one block rather than a walk through tree nodes, and a snapshot copy is one allocation.
  using Settings = boost::container::flat_map<std::string, SettingEntry, std::less<>>;

  SessionState() = default;
  explicit SessionState(std::string login_user) : login_user_(std::move(login_user)) {}

  // --- reads ---
  // The value current_setting(name, true) returns: nullopt for NULL.
  std::optional<std::string> Setting(std::string_view name) const;
  // The same without a copy: the view stays valid until the state next changes.
  std::optional<std::string_view> SettingView(std::string_view name) const;
  const SettingEntry* Entry(std::string_view name) const;
  std::string CurrentUser() const;
  std::string SessionUser() const;
  // CurrentUser() and SessionUser() at once (the session user is looked up once), as views
  // valid until the state next changes.
  void UsersView(std::string_view* current_user, std::string_view* session_user) const;
  bool RowSecurityOff() const;
  bool in_transaction_block() const { return in_block_; }
  bool aborted() const { return aborted_; }
  uint64_t transaction_serial() const { return txn_serial_; }
  const std::string& login_user() const { return login_user_; }
  void set_login_user(std::string user) { login_user_ = std::move(user); }
  // The database the session is connected to (role settings may be per database).
  const std::string& database() const { return database_; }
  void set_database(std::string database) { database_ = std::move(database); }
  // The login defaults (ALTER DATABASE / ALTER ROLE ... SET): the reset value of those settings.
  void set_defaults(const SettingDefaults* defaults);

  // --- statement lifecycle ---
  // Every statement runs in a transaction: the explicit block, or an implicit one of its own.
  // `multi` is true for a multi-statement simple-protocol string, which is one implicit block.
  // `may_change` is false when the statement neither sets anything nor controls transactions:
  // then no snapshot to roll back to is needed (the common case, kept cheap).
  void BeginStatement(bool multi, bool may_change = true);
  // The statement completed: an implicit transaction commits.
  void EndStatement();
  // The statement failed: an implicit transaction rolls back; an explicit block is aborted.
  void FailStatement();

  // --- effects ---
  // SET [LOCAL] name = value, or SET name TO DEFAULT (value nullopt). Returns false when the
  // change has no effect because SET LOCAL ran outside a transaction block (PostgreSQL warns).
  bool Set(const std::string& name, std::optional<std::string> value, bool is_local,
           const SettingOrigin& origin);
  // set_config(name, value, is_local): like SET, but a local value outside a block still
  // lasts until the end of its own statement.
  void SetConfig(const std::string& name, std::optional<std::string> value, bool is_local,
                 const SettingOrigin& origin);
  void Reset(const std::string& name);
  // RESET ALL: every setting but role and session_authorization, which PostgreSQL leaves as
  // they are (GUC_NO_RESET_ALL).
  void ResetAll();
  // DISCARD ALL's reset: SET SESSION AUTHORIZATION DEFAULT (which ends SET ROLE too), then
  // RESET ALL.
  void DiscardAll();
  void Begin();
  void Commit();
  void Rollback();
  void Savepoint(const std::string& name);
  void RollbackTo(const std::string& name);
  void Release(const std::string& name);

  // --- persistence (session_snapshot.cc) ---
  // Writes the whole state as one JSON object, also while a statement is open (with what its
  // failure would roll back to).
  void WriteJson(JsonWriter* w) const;
  // Restores a state written by WriteJson; false when `json` is not one.
  bool ReadJson(simdjson::dom::element json);

 private:
  std::string_view SessionUserView() const;
  Settings::const_iterator FindSetting(std::string_view name) const;
  // settings_[name], for a change: notes a name that sets who the session is or whether RLS
  // applies (identity_named_).
  SettingEntry& Touch(const std::string& name);
  static bool NamesIdentitySetting(const Settings& settings);
  // Whether role, session_authorization or row_security may have a value: if not, reading
  // them needs no lookup (the common case, read for every access).
  bool IdentityMayBeSet() const { return identity_named_ || defaults_name_identity_; }
  // Resets every setting's value; role and session_authorization only with `identity_too`.
  void ResetValues(bool identity_too);
  void EndTransaction(bool commit);
  // COMMIT or ROLLBACK has ended a transaction: inside a statement, what follows starts afresh.
  void AfterTransactionEnd();
  // Restores `snapshot`, keeping every placeholder defined since (they never go back to NULL).
  void Restore(const Settings& snapshot);

  std::string login_user_;
  std::string database_;
  Settings settings_;
  const SettingDefaults* defaults_ = nullptr;
  bool in_block_ = false;        // explicit BEGIN ... COMMIT
  bool implicit_block_ = false;  // a multi-statement string
  bool in_statement_ = false;
  bool aborted_ = false;
  uint64_t txn_serial_ = 0;
  Settings txn_start_;
  bool txn_snapshot_valid_ = false;  // txn_start_ holds this transaction's starting settings
  // The statement being run is a multi-statement string, and a transaction ended inside it.
  // Only read while the statement runs (not saved: the engine saves between statements).
  bool statement_multi_ = false;
  bool ended_in_statement_ = false;
  std::vector<std::pair<std::string, Settings>> savepoints_;
  // One of role, session_authorization, row_security was ever named in a change (or in a
  // restored state). Never cleared: every snapshot holds only names settings_ once held, so
  // until this is set none of them holds those names either.
  bool identity_named_ = false;
  bool defaults_name_identity_ = false;  // a login default sets role or row_security
};

}  // namespace rls_shadow
