/// The work of one U-Net forward pass, counted as unet_ref.py's `flops` command counts it: the
/// multiply-adds of convolutions, linear layers and the two attention products (norms, SiLU and
/// softmax not counted), summed over the layers of its graph.
public enum UNetCost {
    /// Multiply-adds per image: 16.18 M at ch = 32, 4.12 M at ch = 16 (the peer's figures).
    public static func forwardMultiplyAdds(_ net: UNet) -> Int { net.graph.multiplyAdds }
}
