# Sourced by scripts/mongoc.sh and scripts/musl.sh: the CMake options of the slim
# libmongoc (what it leaves out and why: scripts/mongoc.sh). Both builds record
# them in their stamps, so changing them rebuilds both.
MONGOC_OPTS="-DENABLE_SSL=OPENSSL -DENABLE_SASL=OFF -DENABLE_ICU=OFF
-DENABLE_CLIENT_SIDE_ENCRYPTION=OFF -DENABLE_SNAPPY=OFF -DENABLE_ZSTD=OFF -DENABLE_ZLIB=OFF
-DENABLE_SRV=ON -DENABLE_MONGODB_AWS_AUTH=ON -DENABLE_SHM_COUNTERS=OFF -DENABLE_STATIC=ON
-DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF -DENABLE_UNINSTALL=OFF
-DENABLE_AUTOMATIC_INIT_AND_CLEANUP=OFF -DCMAKE_BUILD_TYPE=Release"

# fcgi-auth's own patches to the driver (scripts/mongoc-patches/*.patch, each
# explained at its top), applied in name order after Debian's. Their checksum
# goes into both stamps, so changing a patch rebuilds.
MONGOC_PATCH_DIR="$top/scripts/mongoc-patches"
MONGOC_PATCH_SUM=$(cat "$MONGOC_PATCH_DIR"/*.patch | cksum | cut -d' ' -f1)
mongoc_apply_patches() { # source directory
	for _mp in "$MONGOC_PATCH_DIR"/*.patch; do
		patch -p1 -N -s -d "$1" <"$_mp" || return 1
	done
}
