# Installs the libraries, their public headers and a CMake package, so a host project can do
#   find_package(presence CONFIG REQUIRED)
#   target_link_libraries(host PRIVATE presence::engine)
include(CMakePackageConfigHelpers)


# A sanitizer build's static libraries call into the sanitizer runtime, so a host that links them
# must link that runtime too: the exported targets carry the link option (tests/package under
# scripts/asan.sh full builds examples/host against such an install).
if(PRESENCE_SANITIZE)
  target_link_options(presence_events INTERFACE -fsanitize=address,undefined)
elseif(PRESENCE_TSAN)
  target_link_options(presence_events INTERFACE -fsanitize=thread)
endif()

install(TARGETS presence_events presence_storage presence_actors
  EXPORT presenceTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

foreach(module events storage actors)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${module}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()

set(presence_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/presence)
install(EXPORT presenceTargets NAMESPACE presence:: DESTINATION ${presence_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/presenceConfig.cmake.in
  ${PROJECT_BINARY_DIR}/presenceConfig.cmake INSTALL_DESTINATION ${presence_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/presenceConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/presenceConfig.cmake
  ${PROJECT_BINARY_DIR}/presenceConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake
  DESTINATION ${presence_cmake_dir})
