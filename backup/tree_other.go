//go:build !linux

package backup

import "github.com/bulwark-guard/bulwark/guards"

func (k *keeper) openObjects()  {}
func (k *keeper) closeObjects() {}

// keepChildren keeps what is in directory p.
func (k *keeper) keepChildren(p string, op guards.LossOp) { k.keepChildrenPortable(p, op) }
