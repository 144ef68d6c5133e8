#!/bin/sh
# onpath.sh DIR: say so, and print the line to add, when DIR is not on PATH
# (make install copies bulwark there; a shell cannot find it otherwise).
dir=${1%/}
case ":$PATH:" in
*":$dir:"* | *":$dir/:"*) exit 0 ;;
esac
rc='~/.profile'
case ${SHELL##*/} in
bash) rc='~/.bashrc' ;;
zsh) rc='~/.zshrc' ;;
fish)
	echo "warning: $dir is not on your PATH, so the shell will not find bulwark. Add it with:"
	echo "  fish_add_path $dir"
	exit 0
	;;
esac
echo "warning: $dir is not on your PATH, so the shell will not find bulwark. Add this line to $rc:"
echo "  export PATH=\"$dir:\$PATH\""
