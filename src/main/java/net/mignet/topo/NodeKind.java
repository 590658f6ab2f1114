package net.mignet.topo;

public enum NodeKind {
    HOST, SWITCH
}
