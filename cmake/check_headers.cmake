# presence_check_headers(MODULE TARGET): each public header of MODULE
# (MODULE/include/presence/**.hpp) compiled on its own, in a generated .cpp that includes only it
# (twice, so a missing include guard shows too), with nothing but TARGET's usage requirements.
# The object library `presence_MODULE_headers` is part of the default build: a public header that
# leans on an include it does not make itself fails the build (STYLE.md §2).
function(presence_check_headers module target)
  set(include_dir ${PROJECT_SOURCE_DIR}/${module}/include)
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS RELATIVE ${include_dir} ${include_dir}/presence/*.hpp)
  set(sources "")
  foreach(header IN LISTS headers)
    string(REGEX REPLACE "\\.hpp$" "" stem ${header})
    string(REPLACE "/" "." stem ${stem})
    set(source ${CMAKE_CURRENT_BINARY_DIR}/header_check/${stem}.cpp)
    file(CONFIGURE OUTPUT ${source}
      CONTENT "// Generated: ${header} alone.\n#include \"${header}\"\n#include \"${header}\"\n")
    list(APPEND sources ${source})
  endforeach()
  add_library(presence_${module}_headers OBJECT ${sources})
  target_link_libraries(presence_${module}_headers PRIVATE ${target})
endfunction()
