#!/bin/sh
# The module follows the kernel's coding style: checkpatch --strict.
top=$(cd "$(dirname "$0")/../.." && pwd)
for f in "$top"/module/*.c "$top"/module/*.h; do
	if out=$("$top/scripts/checkpatch" "$f" 2>&1); then
		echo "ok - checkpatch ${f#"$top"/}"
	else
		echo "not ok - checkpatch ${f#"$top"/}"
		echo "$out" | head -n 20
	fi
done
