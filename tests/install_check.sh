#!/usr/bin/env bash
# Install mgsim into a scratch prefix and build examples/c/nmda_block.c against it twice:
# through pkg-config and through the CMake package. Run by CTest (install_check).
set -euo pipefail
src=$1 build=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch 2>/dev/null || true)/pkgconfig"
cc -std=c11 "$src/examples/c/nmda_block.c" $(pkg-config --cflags mgsim) \
   $(pkg-config --libs --static mgsim) -o "$prefix/app_pc"
LD_LIBRARY_PATH="$prefix/lib:$prefix/lib/$(gcc -print-multiarch 2>/dev/null || true)" "$prefix/app_pc" | tee "$prefix/out.txt"
grep -q "B(V)" "$prefix/out.txt"
mkdir "$prefix/cm"
cat > "$prefix/cm/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.20)
project(app C)
find_package(mgsim 0.1 REQUIRED)
add_executable(app $src/examples/c/nmda_block.c)
target_link_libraries(app mgsim::mgsim)
CM
cmake -S "$prefix/cm" -B "$prefix/cm/b" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/cm/b" >/dev/null
"$prefix/cm/b/app" | grep -q "B(V)"
echo "install_check: pkg-config and CMake package both work"
