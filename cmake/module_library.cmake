# The libraries of the top-level modules (events, storage, actors), built one way.

# presence_module_library(MODULE EXPORT_NAME): presence_MODULE from the module's src/*.cpp, its
# public headers in include/ (installed to the prefix's include/), position-independent, and
# presence::EXPORT_NAME for hosts, in the installed package and, as an alias, in this build.
function(presence_module_library module export_name)
  set(target presence_${module})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  add_library(${target} ${sources})
  add_library(presence::${export_name} ALIAS ${target})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
    EXPORT_NAME ${export_name})
endfunction()

# presence_module_internal(MODULE): presence_MODULE_internal, for in-tree code (tests, tools) that
# needs the module's private headers (src/): the module plus that include directory. Never
# installed or exported.
function(presence_module_internal module)
  add_library(presence_${module}_internal INTERFACE)
  target_include_directories(presence_${module}_internal INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(presence_${module}_internal INTERFACE presence_${module})
endfunction()
