// FunctionRef: a non-owning reference to a callable, for callbacks that are only called during
// the call they are passed to (C++26's std::function_ref, reduced to what this project needs).
// Unlike std::function it never allocates: a lambda capturing more than two pointers made
// std::function allocate on every call of a hot function.
//
// The referenced callable must outlive the FunctionRef; pass temporaries only as arguments.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace rls_shadow {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F,
            typename = std::enable_if_t<!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
                                        std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): used like a function parameter
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace rls_shadow
