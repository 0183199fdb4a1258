# The installable library and its CMake package (included from the top-level CMakeLists.txt after
# the library folders):
#   textaudit_lib (exported as textaudit::textaudit): one static libtextaudit.a made of the objects
#   of the library folders, minus the report writers (audit/report.cc needs fmt; reports are the
#   CLI's business), with include/textaudit/textaudit.h as its public header.
#   cmake --install BUILD [--prefix P] puts it into P/lib, the headers into P/include (folder
#   layout kept), the package into P/lib/cmake/textaudit and the CLI into P/bin.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

# cleaning/'s OpenBLAS target is local to that folder; the package config recreates these three.
pkg_check_modules(TEXTAUDIT_OPENBLAS REQUIRED IMPORTED_TARGET openblas)

set(textaudit_objects "")
foreach(part text models crossval cleaning io audit)
  list(APPEND textaudit_objects "$<FILTER:$<TARGET_OBJECTS:textaudit_${part}>,EXCLUDE,/report\\.cc\\.o$>")
endforeach()
add_library(textaudit_lib STATIC ${textaudit_objects})
add_library(textaudit::textaudit ALIAS textaudit_lib)
set_target_properties(textaudit_lib PROPERTIES OUTPUT_NAME textaudit EXPORT_NAME textaudit
                      ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/lib)
target_include_directories(textaudit_lib PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(textaudit_lib PUBLIC cxx_std_20)
# The library's Eigen ABI (see the top-level CMakeLists.txt), whatever flags the program uses.
target_compile_definitions(textaudit_lib PUBLIC ${TEXTAUDIT_EIGEN_ABI})
# Eigen is in the public headers (DenseMatrix); the rest is needed at link time only.
target_link_libraries(textaudit_lib PUBLIC Eigen3::Eigen
                      PRIVATE PkgConfig::RE2 PkgConfig::UTF8PROC PkgConfig::TEXTAUDIT_OPENBLAS Threads::Threads)

install(TARGETS textaudit_lib EXPORT textauditTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS textaudit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/textaudit/textaudit.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/textaudit)
# The headers textaudit.h pulls in, folder layout kept (report.h: not in the library).
foreach(dir text models crossval cleaning audit)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
          FILES_MATCHING PATTERN "*.h" PATTERN "report.h" EXCLUDE PATTERN "CMakeFiles" EXCLUDE)
endforeach()

set(textaudit_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/textaudit)
install(EXPORT textauditTargets NAMESPACE textaudit:: DESTINATION ${textaudit_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/textauditConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/textauditConfig.cmake INSTALL_DESTINATION ${textaudit_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/textauditConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/textauditConfig.cmake ${PROJECT_BINARY_DIR}/textauditConfigVersion.cmake
        DESTINATION ${textaudit_cmake_dir})

# (Not in sanitizer/fuzz builds: their objects need the sanitizer runtimes, which a consumer's
# plain build does not link.)
if(TEXTAUDIT_BUILD_TESTS AND NOT (TEXTAUDIT_SANITIZE OR TEXTAUDIT_TSAN OR TEXTAUDIT_FUZZ))
  # Installs into a temporary prefix, builds tests/consumer/ against it and runs it.
  add_test(NAME install_consumer
           COMMAND ${CMAKE_COMMAND} -DBINARY_DIR=${PROJECT_BINARY_DIR} -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -DWORK_DIR=${PROJECT_BINARY_DIR}/consumer-test -P ${PROJECT_SOURCE_DIR}/tests/consumer/run_test.cmake)
endif()
# Tests that use the public header as a user would.
if(TARGET api_test)
  target_include_directories(api_test PRIVATE ${PROJECT_SOURCE_DIR}/include)
endif()
