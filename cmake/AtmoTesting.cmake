# atmo_add_test(NAME name SOURCES ... LIBS ... [LABELS ...])
# One Catch2 executable per area; every TEST_CASE becomes its own ctest test so failures are named.
function(atmo_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} Catch2::Catch2WithMain)
  target_compile_definitions(${T_NAME} PRIVATE ATMO_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                ATMO_BINARY_DIR="${PROJECT_BINARY_DIR}")
  atmo_target_warnings(${T_NAME})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  catch_discover_tests(${T_NAME} TEST_PREFIX "${T_NAME}: " PROPERTIES LABELS "${T_LABELS}"
                       WORKING_DIRECTORY ${PROJECT_BINARY_DIR})
endfunction()
