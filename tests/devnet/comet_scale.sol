// SPDX-License-Identifier: MIT
// comet_scale.sol: lendex's test helper for a Comet market with many accounts (comet_scale.js).
// Spawner opens positions in bulk: each borrower is a fresh Puppet contract that makes the
// Spawner its Comet manager (allow), so one transaction supplies collateral to it (supplyTo)
// and borrows in its name (withdrawFrom); lenders are plain addresses credited with supplyTo;
// transfers moves base between accounts the Spawner manages (borrower to borrower: no log).
pragma solidity 0.8.19;

interface IComet {
    function allow(address manager, bool isAllowed) external;
    function supplyTo(address dst, address asset, uint256 amount) external;
    function withdrawFrom(address src, address to, address asset, uint256 amount) external;
    function transferAssetFrom(address src, address dst, address asset, uint256 amount) external;
}

interface IERC20 {
    function approve(address spender, uint256 amount) external returns (bool);
}

contract Puppet {
    constructor(address comet) {
        IComet(comet).allow(msg.sender, true);
    }
}

contract Spawner {
    IComet public immutable comet;

    constructor(IComet c) {
        comet = c;
    }

    function approve(address token) external {
        IERC20(token).approve(address(comet), type(uint256).max);
    }

    // one Puppet per entry (CREATE addresses: this contract's nonces, in order)
    function borrowers(address coll, address base, uint256[] calldata colls, uint256[] calldata borrows)
        external
    {
        for (uint256 i = 0; i < colls.length; i++) {
            address p = address(new Puppet(address(comet)));
            comet.supplyTo(p, coll, colls[i]);
            if (borrows[i] > 0) comet.withdrawFrom(p, address(this), base, borrows[i]);
        }
    }

    function lenders(address base, address[] calldata who, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < who.length; i++) comet.supplyTo(who[i], base, amounts[i]);
    }

    function transfers(address base, address[] calldata src, address[] calldata dst, uint256[] calldata amounts)
        external
    {
        for (uint256 i = 0; i < src.length; i++) comet.transferAssetFrom(src[i], dst[i], base, amounts[i]);
    }
}
