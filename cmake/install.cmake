# Installs the libraries, their public headers and a CMake package, so a host project can do
#   find_package(presence CONFIG REQUIRED)
#   target_link_libraries(host PRIVATE presence::engine)
include(CMakePackageConfigHelpers)

set(presence_install_targets presence_events presence_storage)
if(TARGET presence_actors)
  list(APPEND presence_install_targets presence_actors)
endif()

install(TARGETS ${presence_install_targets}
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
