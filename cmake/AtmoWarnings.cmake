# atmo_target_warnings(target): the project's warning set, errors when ATMO_WERROR is on.
# Applied per target (not globally) so generated protobuf sources keep their own flags.
# -Wnull-dereference is left out: GCC 12 raises it at -O2 inside inlined Boost.Asio code, where
# system-header suppression does not reach (middle-end warnings), so it only produces noise.
function(atmo_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                                           -Wimplicit-fallthrough)
  if(ATMO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
